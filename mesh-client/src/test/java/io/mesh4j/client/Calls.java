package io.mesh4j.client;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import okhttp3.Request;
import okhttp3.Response;

/** Sends test calls through a mesh client. */
final class Calls {

    private Calls() {
    }

    /** Sends {@code requests} GETs to {@code http://orders/x} and returns which backends answered (their bodies). */
    static Set<String> answersOf(MeshClient mesh, int requests) throws IOException {
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                    .execute()) {
                answeredBy.add(response.body().string());
            }
        }
        return answeredBy;
    }
}
