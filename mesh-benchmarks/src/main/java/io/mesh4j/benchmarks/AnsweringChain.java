package io.mesh4j.benchmarks;

import java.net.Proxy;
import java.net.ProxySelector;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.Call;
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
 * only the interceptor under test. Settings come from a default {@link OkHttpClient}. The {@code with*} methods
 * return a new chain, as OkHttp's own chain does, so that what an interceptor pays for them is measured; the copy
 * keeps the same settings, since no benchmark here depends on them.
 */
final class AnsweringChain implements Interceptor.Chain {

    private static final OkHttpClient DEFAULTS = new OkHttpClient();

    private final Request request;
    private final Response response;
    private final Call call;
    private EventListener listener = EventListener.NONE;

    AnsweringChain(Request request, Response response) {
        this(request, response, DEFAULTS.newCall(request));
    }

    private AnsweringChain(Request request, Response response, Call call) {
        this.request = request;
        this.response = response;
        this.call = call;
    }

    /** What a {@code with*} method returns: a copy, one allocation, like OkHttp's {@code RealInterceptorChain}. */
    private AnsweringChain copy() {
        AnsweringChain copy = new AnsweringChain(request, response, call);
        copy.listener = listener;
        return copy;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response proceed(Request sent) {
        return response;
    }

    @Override
    public Connection connection() {
        return null;
    }

    @Override
    public Call call() {
        return call;
    }

    @Override
    public int connectTimeoutMillis() {
        return DEFAULTS.connectTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public int readTimeoutMillis() {
        return DEFAULTS.readTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public int writeTimeoutMillis() {
        return DEFAULTS.writeTimeoutMillis();
    }

    @Override
    public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
        return copy();
    }

    @Override
    public boolean getFollowSslRedirects() {
        return DEFAULTS.followSslRedirects();
    }

    @Override
    public boolean getFollowRedirects() {
        return DEFAULTS.followRedirects();
    }

    @Override
    public Dns getDns() {
        return DEFAULTS.dns();
    }

    @Override
    public Interceptor.Chain withDns(Dns dns) {
        return copy();
    }

    @Override
    public SocketFactory getSocketFactory() {
        return DEFAULTS.socketFactory();
    }

    @Override
    public Interceptor.Chain withSocketFactory(SocketFactory socketFactory) {
        return copy();
    }

    @Override
    public boolean getRetryOnConnectionFailure() {
        return DEFAULTS.retryOnConnectionFailure();
    }

    @Override
    public Interceptor.Chain withRetryOnConnectionFailure(boolean retry) {
        return copy();
    }

    @Override
    public Authenticator getAuthenticator() {
        return DEFAULTS.authenticator();
    }

    @Override
    public Interceptor.Chain withAuthenticator(Authenticator authenticator) {
        return copy();
    }

    @Override
    public CookieJar getCookieJar() {
        return DEFAULTS.cookieJar();
    }

    @Override
    public Interceptor.Chain withCookieJar(CookieJar cookieJar) {
        return copy();
    }

    @Override
    public Cache getCache() {
        return DEFAULTS.cache();
    }

    @Override
    public Interceptor.Chain withCache(Cache cache) {
        return copy();
    }

    @Override
    public Proxy getProxy() {
        return DEFAULTS.proxy();
    }

    @Override
    public Interceptor.Chain withProxy(Proxy proxy) {
        return copy();
    }

    @Override
    public ProxySelector getProxySelector() {
        return DEFAULTS.proxySelector();
    }

    @Override
    public Interceptor.Chain withProxySelector(ProxySelector proxySelector) {
        return copy();
    }

    @Override
    public Authenticator getProxyAuthenticator() {
        return DEFAULTS.proxyAuthenticator();
    }

    @Override
    public Interceptor.Chain withProxyAuthenticator(Authenticator authenticator) {
        return copy();
    }

    @Override
    public SSLSocketFactory getSslSocketFactoryOrNull() {
        return DEFAULTS.sslSocketFactory();
    }

    @Override
    public Interceptor.Chain withSslSocketFactory(SSLSocketFactory factory, X509TrustManager trustManager) {
        return copy();
    }

    @Override
    public X509TrustManager getX509TrustManagerOrNull() {
        return DEFAULTS.x509TrustManager();
    }

    @Override
    public HostnameVerifier getHostnameVerifier() {
        return DEFAULTS.hostnameVerifier();
    }

    @Override
    public Interceptor.Chain withHostnameVerifier(HostnameVerifier verifier) {
        return copy();
    }

    @Override
    public CertificatePinner getCertificatePinner() {
        return DEFAULTS.certificatePinner();
    }

    @Override
    public Interceptor.Chain withCertificatePinner(CertificatePinner pinner) {
        return copy();
    }

    @Override
    public ConnectionPool getConnectionPool() {
        return DEFAULTS.connectionPool();
    }

    @Override
    public Interceptor.Chain withConnectionPool(ConnectionPool pool) {
        return copy();
    }

    @Override
    public EventListener getEventListener() {
        return listener;
    }

    /** Makes {@code listener} the call's event listener, as OkHttp makes a new one per call from its factory. */
    void listen(EventListener listener) {
        this.listener = listener;
    }
}
