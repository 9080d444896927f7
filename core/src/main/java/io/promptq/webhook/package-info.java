/**
 * Where promptq may send webhooks: the allow-list of callback URL prefixes and the tenants' default callbacks,
 * shared by the submit path (which refuses a callback outside the list) and the aggregator's dispatcher (which
 * checks every target again before it connects), so neither can be talked into requests to arbitrary hosts.
 */
@NullMarked
package io.promptq.webhook;

import org.jspecify.annotations.NullMarked;
