package io.mesh4j.discovery.etcd;

import io.mesh4j.api.ServiceInstance;
import java.time.Duration;

/** A process that registers one instance in etcd at {@code args[0]} and exits without closing the registration. */
public final class RegisterAndExit {

    private RegisterAndExit() {
    }

    public static void main(String[] args) {
        ServiceInstance instance = ServiceInstance.builder("orders", "10.0.0.9", 8080).id("short-lived").build();
        EtcdRegistration registration = EtcdRegistration.builder(instance).connection(EtcdConnection.of(args[0]))
                .ttl(Duration.ofSeconds(30)).register();
        System.out.println(registration.isRegistered() ? "registered" : "not registered");
        System.exit(0);
    }
}
