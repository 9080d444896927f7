/**
 * Implementation of the registry client and serdes: the HTTP client of the Confluent Schema
 * Registry REST API (retries, fail-over, caches), the in-memory registry for unit tests, the
 * Confluent wire-format header and the Avro class-trust setup. Nothing here is API; callers use
 * the types of {@code io.promptq.registry}.
 */
@NullMarked
package io.promptq.registry.internal;

import org.jspecify.annotations.NullMarked;
