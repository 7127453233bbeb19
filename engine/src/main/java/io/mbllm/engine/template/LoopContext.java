package io.mbllm.engine.template;

import java.util.List;

/** The {@code loop} variable inside a for loop. */
final class LoopContext {
    private final List<Object> items;
    int index0;

    LoopContext(List<Object> items) { this.items = items; }

    Object attr(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("previtem");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("nextitem");
            case "cycle" -> (JinjaFunction) args -> {
                if (args.size() == 0) throw TemplateFailure.runtime("loop.cycle() needs at least one argument");
                return args.positional().get(index0 % args.size());
            };
            default -> new Undefined("loop." + name);
        };
    }
}
