package checks

import (
	"strings"
	"testing"
)

func TestMySQLCleanQuery(t *testing.T) {
	cases := []struct{ name, in, want, err string }{
		{"empty is the default", "", "SELECT 1", ""},
		{"trailing semicolon dropped", "  select now();  ", "select now()", ""},
		{"parenthesised union", "(SELECT 1) UNION (SELECT 2)", "(SELECT 1) UNION (SELECT 2)", ""},
		{"show", "SHOW SLAVE STATUS", "SHOW SLAVE STATUS", ""},
		{"with", "WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) SELECT * FROM x", ""},
		{"do", "DO 1", "DO 1", ""},
		{"sleep is allowed", "SELECT SLEEP(0.2)", "SELECT SLEEP(0.2)", ""},
		{"lock lookups are allowed", "SELECT IS_FREE_LOCK('l'), IS_USED_LOCK('l')", "SELECT IS_FREE_LOCK('l'), IS_USED_LOCK('l')", ""},
		{"refused words in a string are text", "SELECT 'x INTO OUTFILE /tmp/y; -- # /*', 'GET_LOCK'", "SELECT 'x INTO OUTFILE /tmp/y; -- # /*', 'GET_LOCK'", ""},
		{"doubled quote in a string", "SELECT 'it''s into'", "SELECT 'it''s into'", ""},
		{"escaped quote read both ways", `SELECT 'a\'' , 'into'`, "", "INTO"},
		{"words that only contain one", "SELECT updated_at, intoxicated, lockout, shared FROM t", "SELECT updated_at, intoxicated, lockout, shared FROM t", ""},
		{"name with digits", "SELECT col2 FROM t1", "SELECT col2 FROM t1", ""},
		{"backslash outside strings", `SELECT \N`, `SELECT \N`, ""},
		{"non-ASCII text", "SELECT 'Grüße', `größe` FROM t", "SELECT 'Grüße', `größe` FROM t", ""},

		{"not a reading verb", "DROP TABLE users", "", "read-only"},
		{"verb glued to more", "SELECTION", "", "read-only"},
		{"NUL", "SELECT '\x00'", "", "NUL"},
		{"too long", "SELECT " + strings.Repeat("1", 9000), "", "at most 8 KiB"},
		{"invalid UTF-8", "SELECT '\xff'", "", "UTF-8"},
		{"into outfile", "SELECT 'x' INTO OUTFILE '/tmp/x'", "", "must not use INTO"},
		{"into dumpfile", "select 'x' into dumpfile '/tmp/x'", "", "must not use INTO"},
		{"into a variable", "SELECT 1 INTO @v", "", "must not use INTO"},
		{"into glued to a decimal", "SELECT 1.5INTO @v", "", "must not use INTO (in 5INTO"},
		{"into glued to an exponent", "SELECT 1.e1INTO @v", "", "must not use INTO"},
		{"into glued to a float", "SELECT 1e1INTO @v", "", "must not use INTO"},
		{"into glued to a string", "SELECT 'x'INTO @v", "", "must not use INTO"},
		{"get_lock", "SELECT GET_LOCK('l', 0)", "", "must not use GET_LOCK"},
		{"get_lock with a space", "DO get_lock ('l', 0)", "", "must not use GET_LOCK"},
		{"get_lock backquoted", "SELECT `get_lock`('l', 0)", "", "must not use GET_LOCK"},
		{"get_lock double-quoted (ANSI_QUOTES)", `SELECT "GET_LOCK"('l', 0)`, "", "must not use GET_LOCK"},
		{"release_lock", "DO RELEASE_LOCK('l')", "", "must not use RELEASE_LOCK"},
		{"release_all_locks glued to a number", "SELECT 1RELEASE_ALL_LOCKS()", "", "must not use RELEASE_ALL_LOCKS"},
		{"load_file", "SELECT LOAD_FILE('/etc/shadow')", "", "must not use LOAD_FILE: it reads a file"},
		{"benchmark", "SELECT BENCHMARK(1e9, MD5('x'))", "", "must not use BENCHMARK"},
		{"replication wait", "SELECT MASTER_GTID_WAIT('0-1-100')", "", "must not use MASTER_GTID_WAIT: it goes on waiting"},
		{"MySQL's replication wait", "SELECT WAIT_FOR_EXECUTED_GTID_SET('x', 1)", "", "must not use WAIT_FOR_EXECUTED_GTID_SET"},
		{"lock in share mode", "SELECT * FROM t LOCK IN SHARE MODE", "", "must not use LOCK"},
		{"for share", "SELECT * FROM t FOR SHARE", "", "must not use SHARE"},
		{"for update", "SELECT * FROM t FOR UPDATE", "", "must not use UPDATE"},
		{"block comment", "/* hi */ SELECT 1", "", "read-only"},
		{"comment after the verb", "SELECT 1 /* hi */", "", "comments"},
		{"executable comment", "SELECT 1 /*!INTO @z */", "", "comments"},
		{"MariaDB executable comment", "SELECT 1 /*M!100000 INTO @z */", "", "comments"},
		{"dash comment", "SELECT 1 -- INTO\n", "", "comments"},
		{"hash comment", "SELECT 1 # x", "", "comments"},
		{"two statements", "SELECT 1; DO GET_LOCK('l', 0)", "", "one statement"},
		{"two statements, the second read-only", "SELECT 1; SELECT 2;", "", "one statement"},
		{"unclosed quote", "SELECT 'x", "", "has a ' that is not closed"},
		{"unclosed backquote", "SELECT `x", "", "has a ` that is not closed"},
		// With NO_BACKSLASH_ESCAPES the server reads 'a\' as a string and
		// the INTO as a word: the check must too.
		{"INTO outside a string without backslash escapes", `SELECT '\' INTO @v, '`, "", "must not use INTO: it writes a file or sets a variable (INTO OUTFILE, INTO DUMPFILE, INTO @var); a health query only reads (reading \\ as a plain character"},
		{"INTO outside a string with backslash escapes", `SELECT 'a\' INTO @v, 'b\'`, "", "not closed"},
		{"a \\' the server may read as the end", `SELECT 'it\'s'`, "", "NO_BACKSLASH_ESCAPES"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mysqlCleanQuery(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%q: got %q, err %v, want an error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%q: %q %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzMySQLCleanQuery checks that no input makes the validation panic,
// and that what it accepts holds no refused word, comment or second
// statement when read more crudely: split at every byte that is no word
// byte, outside quotes in either reading of backslashes.
func FuzzMySQLCleanQuery(f *testing.F) {
	for _, s := range []string{"SELECT 1", "SELECT 'a''b' INTO @x", "SELECT `x``y`", `SELECT "a\"b"`, "SELECT 1.5INTO", "DO 1 /*! x */", "SELECT 'a\\'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := mysqlCleanQuery(q)
		if err != nil {
			return
		}
		if len(got) > mysqlMaxQuery {
			t.Fatalf("accepted %d bytes", len(got))
		}
		outside := mysqlOutsideStrings(got)
		if strings.ContainsAny(outside, ";#") || strings.Contains(outside, "--") || strings.Contains(outside, "/*") {
			t.Fatalf("accepted %q", got)
		}
		for _, w := range strings.FieldsFunc(strings.ToUpper(outside), func(r rune) bool { return r > 127 || !mysqlWordByte(byte(r)) }) {
			if _, bad := mysqlRefusedWords[w]; bad {
				t.Fatalf("accepted %q holding %s", got, w)
			}
		}
	})
}

// mysqlOutsideStrings blanks out quoted strings and names, read both with
// and without backslash escapes: text either reading puts outside quotes
// is kept.
func mysqlOutsideStrings(q string) string {
	keep := []byte(strings.Repeat(" ", len(q)))
	for _, escapes := range []bool{true, false} {
		out := []byte(q)
		for i := 0; i < len(q); i++ {
			if q[i] != '\'' && q[i] != '"' && q[i] != '`' {
				continue
			}
			end, ok := mysqlQuoteEnd(q, i, escapes && q[i] != '`')
			if !ok {
				break
			}
			for j := i; j < end; j++ {
				out[j] = ' '
			}
			i = end - 1
		}
		for i := range keep {
			if out[i] != ' ' {
				keep[i] = q[i]
			}
		}
	}
	return string(keep)
}
