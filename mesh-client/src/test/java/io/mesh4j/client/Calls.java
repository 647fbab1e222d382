package io.mesh4j.client;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
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

    /**
     * Enqueues {@code call}: the future completes with the answer's body, or exceptionally with the failure OkHttp
     * hands to {@link Callback#onFailure}.
     */
    static CompletableFuture<String> enqueue(Call call) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                answer.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call answered, Response response) throws IOException {
                try (response) {
                    answer.complete(response.body().string());
                }
            }
        });
        return answer;
    }
}
