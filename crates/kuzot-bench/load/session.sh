# Sourced by the load scripts: the first administrator of a throwaway store, and a session.
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
