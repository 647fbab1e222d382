package io.mesh4j.benchmarks;

import io.mesh4j.api.annotation.Nullable;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.CertificatePinner;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An interceptor chain whose {@link #proceed} answers at once with a prepared response, so a benchmark measures
 * only the interceptor under test. Its settings (timeouts, {@code retryOnConnectionFailure}) are those of the
 * {@link OkHttpClient} it is made for. The {@code with*} methods return a new chain, as OkHttp's own chain does, so
 * that what an interceptor pays for them is measured; the copy keeps the same settings, since no benchmark here
 * depends on them.
 */
final class AnsweringChain implements Interceptor.Chain {

    private final OkHttpClient settings;
    private final Request request;
    private final Response response;
    private final BenchmarkCall call;
    @Nullable
    private Interceptor below;

    /** A chain of a call of {@code settings}, which reports that client's timeouts and other settings. */
    AnsweringChain(OkHttpClient settings, Request request, Response response) {
        this(settings, request, response, new BenchmarkCall(request));
    }

    private AnsweringChain(OkHttpClient settings, Request request, Response response, BenchmarkCall call) {
        this.settings = settings;
        this.request = request;
        this.response = response;
        this.call = call;
    }

    /** What a {@code with*} method returns: a copy, one allocation, like OkHttp's {@code RealInterceptorChain}. */
    private AnsweringChain copy() {
        AnsweringChain copy = new AnsweringChain(settings, request, response, call);
        copy.below = below;
        return copy;
    }

    /**
     * Makes {@link #proceed} run {@code interceptor} first, on a chain for the request it is given that answers as
     * this one does: OkHttp's {@code BridgeInterceptor}, say, which every call passes after the application
     * interceptors.
     */
    AnsweringChain through(Interceptor interceptor) {
        this.below = interceptor;
        return this;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response proceed(Request sent) throws IOException {
        if (below == null) {
            return response;
        }
        AnsweringChain next = new AnsweringChain(settings, sent, response, call);
        return below.intercept(next);
    }

    @Override
    public Connection connection() {
        return null;
    }

    @Override
    public BenchmarkCall call() {
        return call;
    }

    @Override
    public int connectTimeoutMillis() {
        return settings.connectTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public int readTimeoutMillis() {
        return settings.readTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public int writeTimeoutMillis() {
        return settings.writeTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public boolean getFollowSslRedirects() {
        return settings.followSslRedirects();
    }

    @Override
    public boolean getFollowRedirects() {
        return settings.followRedirects();
    }

    @Override
    public Dns getDns() {
        return settings.dns();
    }

    @Override
    public Interceptor.Chain withDns(Dns dns) {
        return copy();
    }

    @Override
    public SocketFactory getSocketFactory() {
        return settings.socketFactory();
    }

    @Override
    public Interceptor.Chain withSocketFactory(SocketFactory socketFactory) {
        return copy();
    }

    @Override
    public boolean getRetryOnConnectionFailure() {
        return settings.retryOnConnectionFailure();
    }

    @Override
    public Interceptor.Chain withRetryOnConnectionFailure(boolean retry) {
        return copy();
    }

    @Override
    public Authenticator getAuthenticator() {
        return settings.authenticator();
    }

    @Override
    public Interceptor.Chain withAuthenticator(Authenticator authenticator) {
        return copy();
    }

    @Override
    public CookieJar getCookieJar() {
        return settings.cookieJar();
    }

    @Override
    public Interceptor.Chain withCookieJar(CookieJar cookieJar) {
        return copy();
    }

    @Override
    public Cache getCache() {
        return settings.cache();
    }

    @Override
    public Interceptor.Chain withCache(Cache cache) {
        return copy();
    }

    @Override
    public Proxy getProxy() {
        return settings.proxy();
    }

    @Override
    public Interceptor.Chain withProxy(Proxy proxy) {
        return copy();
    }

    @Override
    public ProxySelector getProxySelector() {
        return settings.proxySelector();
    }

    @Override
    public Interceptor.Chain withProxySelector(ProxySelector proxySelector) {
        return copy();
    }

    @Override
    public Authenticator getProxyAuthenticator() {
        return settings.proxyAuthenticator();
    }

    @Override
    public Interceptor.Chain withProxyAuthenticator(Authenticator authenticator) {
        return copy();
    }

    @Override
    public SSLSocketFactory getSslSocketFactoryOrNull() {
        return settings.sslSocketFactory();
    }

    @Override
    public Interceptor.Chain withSslSocketFactory(SSLSocketFactory factory, X509TrustManager trustManager) {
        return copy();
    }

    @Override
    public X509TrustManager getX509TrustManagerOrNull() {
        return settings.x509TrustManager();
    }

    @Override
    public HostnameVerifier getHostnameVerifier() {
        return settings.hostnameVerifier();
    }

    @Override
    public Interceptor.Chain withHostnameVerifier(HostnameVerifier verifier) {
        return copy();
    }

    @Override
    public CertificatePinner getCertificatePinner() {
        return settings.certificatePinner();
    }

    @Override
    public Interceptor.Chain withCertificatePinner(CertificatePinner pinner) {
        return copy();
    }

    @Override
    public ConnectionPool getConnectionPool() {
        return settings.connectionPool();
    }

    @Override
    public Interceptor.Chain withConnectionPool(ConnectionPool pool) {
        return copy();
    }

    @Override
    public EventListener getEventListener() {
        return call.listener();
    }

    /**
     * One call through {@code interceptor} as OkHttp makes it: a new call, with the listener its client's factory
     * makes, then the interceptor, then the caller reading the body to its end (which OkHttp reports to the call's
     * listener) and closing it.
     */
    Response callThrough(Interceptor interceptor) throws IOException {
        call.listen(settings.eventListenerFactory().create(call));
        Response response = interceptor.intercept(this);
        call.bodyRead(8);
        response.body().close();
        return response;
    }
}
