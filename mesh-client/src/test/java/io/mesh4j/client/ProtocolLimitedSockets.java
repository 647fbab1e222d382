package io.mesh4j.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** A socket factory whose TLS sockets speak only the given protocol versions, such as a server limited to TLS 1.2. */
final class ProtocolLimitedSockets extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private final String[] protocols;

    ProtocolLimitedSockets(SSLSocketFactory delegate, String... protocols) {
        this.delegate = delegate;
        this.protocols = protocols.clone();
    }

    private Socket limited(Socket socket) {
        ((SSLSocket) socket).setEnabledProtocols(protocols);
        return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return limited(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return limited(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return limited(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return limited(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return limited(delegate.createSocket(address, port, localAddress, localPort));
    }
}
