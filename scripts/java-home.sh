# Sourced by ./promptq and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, else the newest 21+ JDK under /usr/lib/jvm, else a clear error.

promptq_java_major() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

promptq_pick_java() {
  local major best="" best_major=0 dir
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(promptq_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      return 0
    fi
  fi
  for dir in /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/; do
    dir=${dir%/}
    [ -d "$dir" ] || continue
    major=$(promptq_java_major "$dir")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$dir"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "promptq needs a JDK 21 or newer (virtual threads), but found none." >&2
    echo "JAVA_HOME=${JAVA_HOME:-<unset>}; searched /usr/lib/jvm, /opt/java, /opt/jdk*." >&2
    echo "Install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

promptq_pick_java || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
