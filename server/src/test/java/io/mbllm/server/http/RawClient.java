package io.mbllm.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare HTTP/1.1 client on a socket: custom Host/Origin headers, and disconnecting mid-stream. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final StringBuilder received = new StringBuilder();

    RawClient(int port, String method, String path, String body, String... headers) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            req.append(h).append("\r\n");
            if (h.toLowerCase().startsWith("host:")) host = true;
        }
        if (!host) req.append("Host: 127.0.0.1\r\n");
        req.append("Content-Type: application/json\r\nContent-Length: ").append(b.length).append("\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.write(b);
        out.flush();
    }

    /** Reads until {@code text} has been received {@code times} times (or the stream ends); returns all so far. */
    String readUntil(String text, int times) throws IOException {
        byte[] buf = new byte[4096];
        while (count(received, text) < times) {
            int n = in.read(buf);
            if (n < 0) break;
            received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return received.toString();
    }

    /** Reads the whole response (until the server closes or a zero chunk ends it). */
    String readAll() throws IOException {
        byte[] buf = new byte[4096];
        while (true) {
            String s = received.toString();
            int head = s.indexOf("\r\n\r\n");
            if (head >= 0) {
                String headers = s.substring(0, head).toLowerCase();
                if (headers.startsWith("http/1.1 204")) break;
                if (headers.contains("transfer-encoding: chunked") && s.endsWith("0\r\n\r\n")) break;
                int cl = headers.indexOf("content-length:");
                if (cl >= 0) {
                    int end = headers.indexOf("\r\n", cl);
                    int len = Integer.parseInt(headers.substring(cl + 15, end < 0 ? headers.length() : end).strip());
                    if (s.getBytes(StandardCharsets.UTF_8).length - head - 4 >= len) break;
                }
            }
            int n = in.read(buf);
            if (n < 0) break;
            received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return received.toString();
    }

    /** The status code of the response read so far. */
    int status() {
        String s = received.toString();
        return Integer.parseInt(s.substring(9, 12));
    }

    private static int count(CharSequence s, String t) {
        int c = 0;
        for (int i = s.toString().indexOf(t); i >= 0; i = s.toString().indexOf(t, i + 1)) c++;
        return c;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
