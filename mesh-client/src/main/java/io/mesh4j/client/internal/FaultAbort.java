package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** The answer of a call a route's injected fault aborts: made in the client, nothing reaches the network. */
final class FaultAbort {

    /** The header that marks an injected abort, naming its route; Envoy's fault filter answers likewise. */
    static final String HEADER = "x-mesh4j-fault";

    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private FaultAbort() {
    }

    static Response response(Request request, int status, @Nullable String route) {
        return new Response.Builder()
                .request(request)
                .protocol(Protocol.HTTP_1_1)
                .code(status)
                .message("fault injected")
                .header(HEADER, "abort; route=" + route)
                .body(ResponseBody.create("fault filter abort", TEXT))
                .build();
    }
}
