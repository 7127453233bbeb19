package io.mbllm.server.create;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.server.modelfile.Message;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON form of {@code POST /api/create} (api-contract §3.10). Absent text fields are {@code ""} and absent
 * collections empty, as in Ollama, where an empty value means "not given".
 *
 * @param model      target name (legacy {@code name})
 * @param from       base model name, or a blob digest {@code sha256:<hex>} of a GGUF
 * @param files      file name → blob digest of uploaded GGUF files, in request order
 * @param adapters   file name → blob digest of uploaded LoRA GGUF files
 * @param quantize   target level ({@code q4_K_M}...; legacy {@code quantization})
 * @param template   Go template text
 * @param system     system prompt
 * @param license    license texts (one layer each)
 * @param parameters option map (stop as a list), merged over the base model's
 * @param messages   message history; replaces the base's when non-empty
 * @param requires   minimum server version
 * @param modelfile  legacy: a Modelfile parsed by the server
 * @param path       legacy: the directory relative Modelfile paths start from
 * @param stream     stream progress lines (default true)
 * @param adapterScales mbllm extension {@code adapter_scales}: user scale per {@code adapters} key (a GGUF
 *                   adapter, or a PEFT adapter's {@code .safetensors} file or folder); 1 when absent
 */
public record CreateRequest(String model, String from, Map<String, String> files, Map<String, String> adapters,
        String quantize, String template, String system, List<String> license, Map<String, Object> parameters,
        List<Message> messages, String requires, String modelfile, String path, boolean stream,
        Map<String, Float> adapterScales) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CreateRequest {
        model = nz(model);
        from = nz(from);
        files = files == null || files.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        adapters = adapters == null || adapters.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(adapters));
        quantize = nz(quantize);
        template = nz(template);
        system = nz(system);
        license = List.copyOf(Objects.requireNonNullElse(license, List.of()));
        parameters = parameters == null || parameters.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        messages = List.copyOf(Objects.requireNonNullElse(messages, List.of()));
        requires = nz(requires);
        modelfile = nz(modelfile);
        path = nz(path);
        adapterScales = adapterScales == null || adapterScales.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(adapterScales));
    }

    /** A request without adapter scales. */
    public CreateRequest(String model, String from, Map<String, String> files, Map<String, String> adapters,
            String quantize, String template, String system, List<String> license, Map<String, Object> parameters,
            List<Message> messages, String requires, String modelfile, String path, boolean stream) {
        this(model, from, files, adapters, quantize, template, system, license, parameters, messages, requires,
                modelfile, path, stream, Map.of());
    }

    /** A request for {@code model} from a base model {@code from}, nothing else set. */
    public static CreateRequest fromModel(String model, String from) {
        return new CreateRequest(model, from, Map.of(), Map.of(), "", "", "", List.of(), Map.of(), List.of(), "",
                "", "", true);
    }

    /** A request for {@code model} from uploaded files, nothing else set. */
    public static CreateRequest fromFiles(String model, Map<String, String> files) {
        return new CreateRequest(model, "", files, Map.of(), "", "", "", List.of(), Map.of(), List.of(), "", "",
                "", true);
    }

    /** This request with {@code quantize} set. */
    public CreateRequest withQuantize(String q) {
        return new CreateRequest(model, from, files, adapters, q, template, system, license, parameters, messages,
                requires, modelfile, path, stream, adapterScales);
    }

    /** This request with template, system, parameters, messages and license set. */
    public CreateRequest withContent(String newTemplate, String newSystem, Map<String, Object> newParameters,
            List<Message> newMessages, List<String> newLicense) {
        return new CreateRequest(model, from, files, adapters, quantize, newTemplate, newSystem, newLicense,
                newParameters, newMessages, requires, modelfile, path, stream, adapterScales);
    }

    /** This request with the sources replaced (used when resolving the legacy {@code modelfile} form). */
    CreateRequest withSources(String newFrom, Map<String, String> newFiles, Map<String, String> newAdapters,
            Map<String, Float> newAdapterScales) {
        return new CreateRequest(model, newFrom, newFiles, newAdapters, quantize, template, system, license,
                parameters, messages, requires, modelfile, path, stream, newAdapterScales);
    }

    /**
     * Reads the request body. Unknown fields are ignored; {@code model} wins over {@code name} and
     * {@code quantize} over {@code quantization}; {@code license} is a string or a list of strings.
     *
     * @throws CreateException 400 when the body is no JSON object or a field has the wrong type
     */
    public static CreateRequest fromJson(JsonNode n) throws CreateException {
        if (n == null || !n.isObject()) {
            throw CreateException.badRequest("missing request body");
        }
        String model = text(n, "model");
        if (model.isEmpty()) {
            model = text(n, "name");
        }
        String quantize = text(n, "quantize");
        if (quantize.isEmpty()) {
            quantize = text(n, "quantization");
        }
        List<String> license = new ArrayList<>();
        JsonNode lic = n.get("license");
        if (lic != null && !lic.isNull()) {
            if (lic.isTextual()) {
                license.add(lic.asText());
            } else if (lic.isArray()) {
                for (JsonNode l : lic) {
                    if (!l.isTextual()) {
                        throw CreateException.badRequest("license must be a string or a list of strings");
                    }
                    license.add(l.asText());
                }
            } else {
                throw CreateException.badRequest("license must be a string or a list of strings");
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        JsonNode p = n.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw CreateException.badRequest("parameters must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        }
        List<Message> messages = new ArrayList<>();
        JsonNode ms = n.get("messages");
        if (ms != null && !ms.isNull()) {
            if (!ms.isArray()) {
                throw CreateException.badRequest("messages must be a list");
            }
            for (JsonNode m : ms) {
                messages.add(new Message(text(m, "role"), text(m, "content")));
            }
        }
        JsonNode stream = n.get("stream");
        return new CreateRequest(model, text(n, "from"), stringMap(n, "files"), stringMap(n, "adapters"), quantize,
                text(n, "template"), text(n, "system"), license, params, messages, text(n, "requires"),
                text(n, "modelfile"), text(n, "path"), stream == null || stream.isNull() || stream.asBoolean(true),
                scaleMap(n, "adapter_scales"));
    }

    private static String text(JsonNode n, String field) throws CreateException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw CreateException.badRequest(field + " must be a string");
        }
        return v.asText();
    }

    private static Map<String, String> stringMap(JsonNode n, String field) throws CreateException {
        JsonNode v = n.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw CreateException.badRequest(field + " must be an object of file name to digest");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw CreateException.badRequest(field + " must be an object of file name to digest");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Map<String, Float> scaleMap(JsonNode n, String field) throws CreateException {
        JsonNode v = n.get(field);
        Map<String, Float> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw CreateException.badRequest(field + " must be an object of file name to number");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber() || !Float.isFinite(e.getValue().floatValue())) {
                throw CreateException.badRequest(field + " must be an object of file name to number");
            }
            out.put(e.getKey(), e.getValue().floatValue());
        }
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
