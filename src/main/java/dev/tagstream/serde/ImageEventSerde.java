package dev.tagstream.serde;

import dev.tagstream.avro.ImageEvent;

/** The wire-format serde of {@link ImageEvent}, constructible by class name. */
public final class ImageEventSerde extends AvroWireSerde<ImageEvent> {
    public ImageEventSerde() {
        super(ImageEvent.getClassSchema());
    }

    public ImageEventSerde(SchemaRegistryClient registry, boolean autoRegister) {
        super(ImageEvent.getClassSchema(), registry, autoRegister);
    }
}
