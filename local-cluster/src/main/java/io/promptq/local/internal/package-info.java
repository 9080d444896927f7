/**
 * Implementation details of {@code io.promptq.local}: port allocation, Kafka node lifecycle,
 * locating and launching the Apicurio registry. Not an API; may change without notice.
 */
@NullMarked
package io.promptq.local.internal;

import org.jspecify.annotations.NullMarked;
