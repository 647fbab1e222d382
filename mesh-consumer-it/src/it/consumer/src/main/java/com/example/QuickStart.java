package com.example;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.StaticDiscovery;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.Response;

public class QuickStart {
    public static void main(String[] args) throws IOException {
        StaticDiscovery discovery = StaticDiscovery.of(
            ServiceInstance.builder("orders", "10.0.0.7", 8080).build(),
            ServiceInstance.builder("orders", "10.0.0.8", 8080).build());

        try (MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
            Request request = new Request.Builder().url("http://orders/v1/items?q=1").build();
            try (Response response = mesh.newCall(request).execute()) {
                System.out.println(response.body().string());   // from whichever instance peak-EWMA picked
            }
        }
    }
}
