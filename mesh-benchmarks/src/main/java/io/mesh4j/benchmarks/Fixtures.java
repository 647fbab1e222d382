package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** What the benchmarks share: instances of an {@code orders} service and chains that answer 200 at once. */
final class Fixtures {

    private static final MediaType JSON = MediaType.get("application/json");

    private Fixtures() {
    }

    /** {@code count} instances of {@code orders} on distinct 10.x addresses, port 8080, weight 1. */
    static List<ServiceInstance> orders(int count) {
        List<ServiceInstance> instances = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            instances.add(ServiceInstance.builder("orders", "10." + (i / 62_500) + '.' + (i / 250 % 250) + '.'
                    + (i % 250 + 1), 8080).build());
        }
        return instances;
    }

    private static final OkHttpClient DEFAULT_CLIENT = new OkHttpClient();

    /**
     * A chain of a client with OkHttp's defaults whose request is {@code request} and which answers it with 200 and
     * a short body at once.
     */
    static AnsweringChain answering200(Request request) {
        return answering200(DEFAULT_CLIENT, request);
    }

    /** The same as {@link #answering200(Request)}, for a call of {@code client}, whose settings the chain reports. */
    static AnsweringChain answering200(OkHttpClient client, Request request) {
        return new AnsweringChain(client, request, new Response.Builder().request(request).protocol(Protocol.HTTP_1_1)
                .code(200).message("OK").body(ResponseBody.create("{\"id\":1}", JSON)).build());
    }
}
