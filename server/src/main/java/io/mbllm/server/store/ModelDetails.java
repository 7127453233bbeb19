package io.mbllm.server.store;

import java.util.List;

/**
 * The {@code details} object of list/show/ps, taken from the config blob.
 *
 * @param parentModel       the model layer's {@code from} for show; "" in list (as Ollama)
 * @param format            {@code model_format}
 * @param family            {@code model_family}
 * @param families          {@code model_families}
 * @param parameterSize     {@code model_type} ({@code 3.2B})
 * @param quantizationLevel {@code file_type} ({@code Q4_K_M})
 */
public record ModelDetails(String parentModel, String format, String family, List<String> families,
        String parameterSize, String quantizationLevel) {

    public ModelDetails {
        families = List.copyOf(families);
    }

    /** The details a config blob gives, with {@code parentModel}. */
    public static ModelDetails of(ModelConfig c, String parentModel) {
        return new ModelDetails(parentModel, c.modelFormat(), c.modelFamily(), c.modelFamilies(), c.modelType(),
                c.fileType());
    }
}
