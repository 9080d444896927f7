/**
 * Implementation of the HTTP job endpoints: request handling, bounded body reading, bearer-token
 * authentication and the mapping of every refusal to an RFC 9457 problem.
 */
@NullMarked
package io.promptq.producer.http.internal;

import org.jspecify.annotations.NullMarked;
