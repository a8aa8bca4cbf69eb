# Sourced by the load scripts: the first administrator of a throwaway store, and a session.
#
# setup_link_of LOG PID MINUTES: prints the one-time setup link that the server PID writes
# to LOG, waiting up to MINUTES for it (the server builds its index first); exits the
# script when the server dies or no link comes.
setup_link_of() {
  local log=$1 pid=$2 minutes=$3 link
  for _ in $(seq 1 $((minutes * 120))); do
    link=$(grep -o "http://[^ ]*/setup/[^ ]*" "$log" || true)
    [[ -n $link ]] && { echo "$link"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "server died:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "no setup link after $minutes min" >&2
  exit 1
}
#
# first_admin_session LINK BASE SCRATCH: creates the account "loadtest" through the one-time
# setup LINK with a random password that lives only in this shell, logs in at BASE, and
# exports KUZOT_COOKIE ("kuzot_session=…") for wrk and curl. SCRATCH is a directory for the
# cookie jar, which is removed afterwards. Exits the script when no session results.
first_admin_session() {
  local link=$1 base=$2 jar=$3/cookies.txt password csrf code session
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$link" | _csrf_of)
  code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "name=loadtest" \
    --data-urlencode "password=$password" --data-urlencode "_csrf=$csrf" "$link")
  [[ $code == 303 || $code == 302 || $code == 200 ]] || { echo "setup POST returned $code" >&2; exit 1; }
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | _csrf_of)
  code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "name=loadtest" \
    --data-urlencode "password=$password" --data-urlencode "_csrf=$csrf" "$base/login")
  session=$(awk '$6 == "kuzot_session" { print $7 }' "$jar")
  rm -f "$jar"
  [[ -n $session ]] || { echo "login returned $code and no kuzot_session cookie" >&2; exit 1; }
  export KUZOT_COOKIE="kuzot_session=$session"
}

_csrf_of() { grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
