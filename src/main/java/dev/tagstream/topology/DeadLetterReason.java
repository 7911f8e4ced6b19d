package dev.tagstream.topology;

import dev.tagstream.image.ImageFailure;

/** Stable reason codes in the {@code tagstream.error.reason} header of every dead letter, with their stage. */
public enum DeadLetterReason {
    DESERIALIZATION("deserialize"),
    UNKNOWN_MODEL("route"),
    IMAGE_EMPTY("preprocess"),
    UNSUPPORTED_FORMAT("preprocess"),
    IMAGE_UNDECODABLE("preprocess"),
    IMAGE_TOO_LARGE("preprocess"),
    MODEL_UNAVAILABLE("infer"),
    INFERENCE_FAILED("infer");

    private final String stage;

    DeadLetterReason(String stage) {
        this.stage = stage;
    }

    public String stage() {
        return stage;
    }

    public static DeadLetterReason of(ImageFailure failure) {
        return valueOf(failure.name());
    }
}
