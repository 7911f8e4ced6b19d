package dev.tagstream.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API this service uses. Implementations cache: a schema id
 * never changes meaning, so {@link #schemaById} answers from memory after the first call.
 */
public interface SchemaRegistryClient {
    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The id {@code schema} already has under {@code subject}, without registering it. */
    int idOf(String subject, Schema schema);

    /** The writer schema with global id {@code id}. */
    Schema schemaById(int id);

    /** The latest version registered under {@code subject}. */
    RegisteredSchema latest(String subject);

    /** Subjects known to the registry. */
    java.util.List<String> subjects();

    /** A schema as registered: its global id, its version within the subject, and the schema. */
    record RegisteredSchema(int id, int version, Schema schema) {}
}
