# Sourced by ./build and ./planetary: picks a JDK >= PLANETARY_MIN_JDK and exports JAVA_HOME.
# Order: $JAVA_HOME if suitable, then the newest suitable JDK in the usual install places,
# then the `java` on PATH. Fails with a clear message naming the requirement.
PLANETARY_MIN_JDK=${PLANETARY_MIN_JDK:-25}

planetary_jdk_major() { # $1 = JDK home; prints its feature version or nothing
  local rel="$1/release" v=""
  if [ -r "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$rel" | head -n 1)
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && printf '%s' "$v"
}

planetary_find_jdk() {
  local best="" bestv=0 cand v seen=""
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(planetary_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$PLANETARY_MIN_JDK" ]; then printf '%s' "$JAVA_HOME"; return 0; fi
    seen="JAVA_HOME=$JAVA_HOME (version ${v:-unknown})"
  fi
  for cand in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$cand" ] || continue
    v=$(planetary_jdk_major "$cand")
    [ -n "$v" ] || continue
    seen="$seen${seen:+, }$cand ($v)"
    if [ "$v" -ge "$PLANETARY_MIN_JDK" ] && [ "$v" -gt "$bestv" ]; then best="$cand"; bestv="$v"; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(planetary_jdk_major "$cand")
    if [ -n "$v" ] && [ "$v" -ge "$PLANETARY_MIN_JDK" ]; then best="$cand"; fi
  fi
  if [ -z "$best" ]; then
    echo "error: Planetary needs a JDK $PLANETARY_MIN_JDK or newer (java and javac), and none was found." >&2
    echo "       looked at: ${seen:-nothing suitable in /usr/lib/jvm, /opt, ~/.sdkman, JAVA_HOME}" >&2
    echo "       install one (e.g. Debian/Ubuntu: a temurin-$PLANETARY_MIN_JDK-jdk package) or point JAVA_HOME at it." >&2
    return 1
  fi
  printf '%s' "$best"
}

planetary_use_jdk() {
  local home
  home=$(planetary_find_jdk) || exit 3
  export JAVA_HOME="$home"
  export PATH="$JAVA_HOME/bin:$PATH"
}

planetary_require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "error: Apache Maven 3.8 or newer ('mvn') is needed to build Planetary and was not found on PATH." >&2
    echo "       install it (e.g. 'apt-get install maven') and run this command again." >&2
    exit 3
  fi
}
