package dev.tagstream.serde;

import dev.tagstream.avro.Prediction;

/** The wire-format serde of {@link Prediction}, constructible by class name. */
public final class PredictionSerde extends AvroWireSerde<Prediction> {
    public PredictionSerde() {
        super(Prediction.getClassSchema());
    }

    public PredictionSerde(SchemaRegistryClient registry, boolean autoRegister) {
        super(Prediction.getClassSchema(), registry, autoRegister);
    }
}
