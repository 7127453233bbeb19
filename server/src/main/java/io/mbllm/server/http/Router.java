package io.mbllm.server.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.netty.handler.codec.http.HttpMethod;

/**
 * The route table: exact paths, and prefix paths whose rest is one segment ({@code /v1/models/{id}}). A GET
 * route also answers HEAD. A known path with another method is a 405, an unknown path a 404.
 */
public final class Router {
    /** Handles one exchange on a worker thread. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange ex) throws Exception;
    }

    private record Route(String path, boolean prefix, HttpMethod method, Handler handler) {}

    /** The outcome of routing a request. */
    public sealed interface Match permits Found, WrongMethod, NotFound {}

    /** A handler, with the path segment after a prefix route. */
    public record Found(Handler handler, String param) implements Match {}

    /** The path exists, not with that method. */
    public record WrongMethod(Set<String> allowed) implements Match {}

    /** No such path. */
    public record NotFound() implements Match {}

    private final List<Route> routes = new ArrayList<>();

    /** Adds an exact route. */
    public Router add(HttpMethod method, String path, Handler handler) {
        routes.add(new Route(path, false, method, handler));
        return this;
    }

    /** Adds a route for {@code prefix + one segment}. */
    public Router addPrefix(HttpMethod method, String prefix, Handler handler) {
        routes.add(new Route(prefix, true, method, handler));
        return this;
    }

    /** Finds the handler for a request. */
    public Match match(HttpMethod method, String path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            String param = null;
            if (r.prefix()) {
                if (!path.startsWith(r.path()) || path.length() == r.path().length()) continue;
                param = path.substring(r.path().length());
                if (param.contains("/")) continue;
            } else if (!path.equals(r.path())) {
                continue;
            }
            boolean ok = r.method().equals(method) || method.equals(HttpMethod.HEAD) && r.method().equals(HttpMethod.GET);
            if (ok) return new Found(r.handler(), param);
            allowed.add(r.method().name());
            if (r.method().equals(HttpMethod.GET)) allowed.add("HEAD");
        }
        return allowed.isEmpty() ? new NotFound() : new WrongMethod(allowed);
    }
}
