package io.mbllm.server.infer;

import java.util.List;
import java.util.Map;

import io.mbllm.engine.template.go.ThinkOption;
import io.mbllm.server.api.Message;
import io.mbllm.server.api.Tool;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ResolvedModel;

/**
 * A validated chat request ({@code /api/chat}, {@code /v1/chat/completions}).
 *
 * @param model      the resolved model
 * @param messages   the conversation (non-empty)
 * @param tools      offered tools (empty when none)
 * @param options    request options
 * @param keepAlive  keep_alive for this request
 * @param format     grammar to enforce, or null
 * @param think      thinking option
 * @param truncate   whether old messages may be dropped to fit the context
 * @param renderOnly render the prompt and stop
 * @param loraScales the adapters' user scales for this request by id ({@link LoraScales}), or null for the model's
 */
public record ChatJob(ResolvedModel model, List<Message> messages, List<Tool> tools, Map<String, Object> options,
                      KeepAlive keepAlive, JsonGrammar format, ThinkOption think, boolean truncate,
                      boolean renderOnly, float[] loraScales) {
    public ChatJob {
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
