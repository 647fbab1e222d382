package io.mesh4j.benchmarks.scenarios;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.Arrays;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * Records, on the client side, every attempt to one port that failed without an answer: a refused or failed connect
 * (an {@link EventListener} sees it) and a request on a pooled connection that broke (a network interceptor sees
 * it). While a backend is dead these are all the attempts it costs its callers, whoever decided them: the mesh, or
 * OkHttp itself. Times are {@link System#nanoTime()} readings; thread-safe, bounded.
 */
final class FailedAttempts {

    private static final int MAX_KEPT = 100_000;

    private final int port;
    private long[] times = new long[256];
    private int size;

    FailedAttempts(int port) {
        this.port = port;
    }

    /** A variant of {@code client} that reports failed attempts to this recorder's port. */
    OkHttpClient install(OkHttpClient client) {
        return client.newBuilder()
                .eventListener(new EventListener() {
                    @Override
                    public void connectFailed(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol,
                            IOException failure) {
                        if (address.getPort() == port) {
                            record();
                        }
                    }
                })
                .addNetworkInterceptor(this::intercept)
                .build();
    }

    private Response intercept(Interceptor.Chain chain) throws IOException {
        try {
            return chain.proceed(chain.request());
        } catch (IOException e) {
            if (chain.request().url().port() == port) {
                record();
            }
            throw e;
        }
    }

    private synchronized void record() {
        if (size == MAX_KEPT) {
            return;
        }
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
        }
        times[size++] = System.nanoTime();
    }

    /** The failed attempts recorded from {@code from} (inclusive) to {@code to} (exclusive), in time order. */
    synchronized long[] between(long from, long to) {
        long[] sorted = Arrays.copyOf(times, size);
        Arrays.sort(sorted);
        return Arrays.stream(sorted).filter(time -> time >= from && time < to).toArray();
    }
}
