package io.mesh4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceInstanceTest {

    @Test
    void shouldUseDocumentedDefaultsWhenOnlyRequiredValuesGiven() {
        ServiceInstance instance = ServiceInstance.builder("orders", "10.0.0.7", 8080).build();

        assertThat(instance.id()).isEqualTo("10.0.0.7:8080");
        assertThat(instance.secure()).isFalse();
        assertThat(instance.zone()).isNull();
        assertThat(instance.weight()).isEqualTo(1);
        assertThat(instance.tags()).isEmpty();
        assertThat(instance.metadata()).isEmpty();
    }

    @Test
    void shouldKeepEveryFieldWhenBuiltAndCopied() {
        ServiceInstance instance = ServiceInstance.builder("orders", "::1", 443)
                .id("orders-1").secure(true).zone("eu-1a").weight(3)
                .tags("v2", "canary").metadata("version", "2.1").build();

        ServiceInstance copy = instance.toBuilder().build();

        assertThat(copy).isEqualTo(instance).hasSameHashCodeAs(instance);
        assertThat(copy.tags()).containsExactly("v2", "canary");
        assertThat(copy.metadata()).containsExactly(Map.entry("version", "2.1"));
        assertThat(instance.toString()).contains("orders/orders-1", "https://::1:443", "zone=eu-1a", "weight=3");
    }

    @Test
    void shouldNotChangeWhenBuilderIsReused() {
        ServiceInstance.Builder builder = ServiceInstance.builder("orders", "h", 1).tags("a");
        ServiceInstance first = builder.build();
        builder.tags("b");

        assertThat(first.tags()).containsExactly("a");
        assertThatThrownBy(() -> first.tags().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldFailNamingPortWhenPortOutOfRange() {
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "h", 0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port: 0 (expected: 1 to 65535)");
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "h", 65_536).build())
                .hasMessage("port: 65536 (expected: 1 to 65535)");
    }

    @Test
    void shouldFailNamingWeightWhenWeightOutOfRange() {
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "h", 80).weight(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weight: 0 (expected: 1 to 65535)");
    }

    @Test
    void shouldFailNamingFieldWhenNameOrHostInvalid() {
        assertThatThrownBy(() -> ServiceInstance.builder("Orders", "h", 80).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("service: 'Orders' (expected:");
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "", 80).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("host: '' (expected:");
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "h/x", 80).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("host: 'h/x'");
        assertThatThrownBy(() -> ServiceInstance.builder("orders", "h", 80).id("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("id: ''");
    }

    @Test
    void shouldRejectNullWhenSetterGetsNull() {
        assertThatThrownBy(() -> ServiceInstance.builder(null, "h", 80))
                .isInstanceOf(NullPointerException.class).hasMessage("service");
    }
}
