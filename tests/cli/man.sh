# The manual page: built next to the binary (chaff.1, by `chaff --man`),
# the same as `chaff --man` prints, valid roff, installed by cmake --install;
# and for the program and every subcommand, --help and the page list the
# same positionals and options (every name of each).
. "$(dirname "$0")/lib/common.bash"
BUILD=$(dirname "$CHAFF")
[ -f "$BUILD/chaff.1" ] || { fail "$BUILD/chaff.1 was not built"; finish; }
expect_exit 0 "$CHAFF" --man
cmp -s "$WORK/out" "$BUILD/chaff.1" || fail "chaff.1 differs from what chaff --man prints (stale build?)"
expect_exit 0 "$CHAFF" --man "$WORK/page.1"
cmp -s "$WORK/page.1" "$BUILD/chaff.1" || fail "chaff --man FILE differs"
if command -v groff >/dev/null; then
  groff -man -Tutf8 -ww -z "$BUILD/chaff.1" 2>"$WORK/groff.err"
  [ -s "$WORK/groff.err" ] && fail "groff warns: $(head -3 "$WORK/groff.err")"
fi

# --help of the program and of each subcommand against the page.
"$CHAFF" --help > "$WORK/help-main.txt"
subs=$(awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' "$WORK/help-main.txt")
[ -n "$subs" ] || fail "no subcommands found in chaff --help"
for sub in $subs; do "$CHAFF" "$sub" --help > "$WORK/help-$sub.txt"; done
python3 - "$BUILD/chaff.1" "$WORK" $subs <<'PY' || FAILS=$((FAILS + 1))
import re, sys
page, work, subs = sys.argv[1], sys.argv[2], sys.argv[3:]

def help_names(path):
    """Positionals and option names of a --help text."""
    names, section = set(), None
    for line in open(path):
        if re.match(r"^\S.*:$", line):
            section = line.strip()
            continue
        m = re.match(r"^  (\S+)", line)
        if not m or section is None or section == "Subcommands:":
            continue
        token = m.group(1)
        if section == "Positionals:":
            names.add(token)
        elif token.startswith("-"):
            token = re.sub(r"\{.*\}$", "", token)  # --a,--no-a{false}
            names.update(token.split(","))
    return names

def page_names(lines):
    """Names in the .TP entries of a part of the page."""
    names = set()
    for i, line in enumerate(lines):
        if line.strip() != ".TP" or i + 1 >= len(lines):
            continue
        entry = lines[i + 1].replace("\\-", "-")
        bold = re.findall(r"\\fB(-[^\\]+)\\fR", entry)
        if bold:
            names.update(bold)
        else:
            m = re.match(r"\\fI([^\\]+)\\fR", entry)
            if m:
                names.add(m.group(1))
    return names

text = open(page).read().split("\n")
def part(start, stops):
    out, on = [], False
    for line in text:
        if line == start:
            on = True
            continue
        if on and any(line.startswith(s) for s in stops):
            break
        if on:
            out.append(line)
    return out

bad = 0
checks = [("chaff", help_names(work + "/help-main.txt"), page_names(part(".SH OPTIONS", [".SH"])))]
for sub in subs:
    checks.append(("chaff " + sub, help_names(work + "/help-%s.txt" % sub),
                   page_names(part('.SS "chaff %s"' % sub, [".SS", ".SH"]))))
for what, in_help, in_page in checks:
    if not in_help:
        print("FAIL: no options found in %s --help" % what)
        bad += 1
    if in_help != in_page:
        print("FAIL: %s: --help and the manual page differ: only in --help %s, only in the page %s"
              % (what, sorted(in_help - in_page), sorted(in_page - in_help)))
        bad += 1
    else:
        print("%s: %d names agree" % (what, len(in_help)))
sys.exit(1 if bad else 0)
PY

# cmake --install puts the binary and the page under the prefix.
if command -v cmake >/dev/null && [ -f "$BUILD/cmake_install.cmake" ]; then
  expect_exit 0 cmake --install "$BUILD" --prefix "$WORK/prefix"
  [ -x "$WORK/prefix/bin/chaff" ] || fail "cmake --install did not install bin/chaff"
  cmp -s "$WORK/prefix/share/man/man1/chaff.1" "$BUILD/chaff.1" ||
    fail "cmake --install did not install share/man/man1/chaff.1"
fi
finish
