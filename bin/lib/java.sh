# Sourced by bin/* scripts: sets JAVA_HOME to a JDK 21 or newer and puts its java first on PATH.
# Keeps JAVA_HOME when it already points at 21+, else looks in /usr/lib/jvm and /opt.

java_major() { # prints the feature version of the java binary $1
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

use_java_21_or_newer() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "changeset-syncer needs a JDK 21 or newer: set JAVA_HOME to one (none found in /usr/lib/jvm or /opt)" >&2
  return 1
}
