/**
 * The HTTP API of the producer service: {@code POST /v1/jobs} and {@code POST /v1/jobs/batch}. The JSON
 * form of a job is documented on {@link io.promptq.producer.http.JobJson}.
 */
@NullMarked
package io.promptq.producer.http;

import org.jspecify.annotations.NullMarked;
