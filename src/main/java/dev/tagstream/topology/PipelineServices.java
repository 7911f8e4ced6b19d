package dev.tagstream.topology;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.image.ImagePreprocessor;
import dev.tagstream.model.ModelRepository;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The components the topology uses, shared by every task and stream thread of the process; each is thread-safe.
 * Whoever builds this owns them and closes them after Kafka Streams has closed.
 *
 * @param preprocessPool a bounded pool whose rejection policy runs the task in the caller (backpressure)
 * @param drain pending counts and the shutdown's request to drain now
 */
public record PipelineServices(
        Deserializer<ImageEvent> events,
        Serializer<Prediction> predictions,
        ImagePreprocessor preprocessor,
        ModelRepository models,
        InferenceEngine engine,
        ExecutorService preprocessPool,
        PipelineListener listener,
        DrainControl drain) {}
