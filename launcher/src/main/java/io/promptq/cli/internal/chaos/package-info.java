/**
 * The chaos suite behind {@code ./promptq chaos}: a provider stub with fault switches, child service JVMs, a seeded
 * fault schedule and the tally of what the run produced against what it must. Not an API; may change without notice.
 */
@NullMarked
package io.promptq.cli.internal.chaos;

import org.jspecify.annotations.NullMarked;
