package io.mesh4j.client;

import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/** A request body that can be written once only, as a streamed upload's is. */
final class OneShotBody extends RequestBody {

    private final String content;

    OneShotBody(String content) {
        this.content = content;
    }

    @Override
    public MediaType contentType() {
        return MediaType.get("text/plain");
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8(content);
    }

    @Override
    public boolean isOneShot() {
        return true;
    }
}
