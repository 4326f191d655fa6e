package checks

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mysqlQueryVerbs are the statements a health query may start with: ones
// that read. The query also runs in a READ ONLY transaction.
var mysqlQueryVerbs = []string{"SELECT", "SHOW", "WITH", "DO"}

// mysqlRefusedWords are the words a health query must not use, with why.
// The READ ONLY transaction stops writes to tables, but not these: tried on
// MariaDB 10.11 inside START TRANSACTION READ ONLY, INTO OUTFILE wrote a
// file on the database host, GET_LOCK took a lock, LOAD_FILE read
// /etc/hostname and LOCK IN SHARE MODE locked rows. The query runs with a
// password an editor need not know, so it must not do more than read.
//
// SLEEP is allowed: it only holds the check's own connection, and the
// server ends it within 5 s of the check hanging up at the monitor's
// timeout. The replication waits are not: MASTER_GTID_WAIT still waited 30 s
// after the check had hung up. IS_FREE_LOCK and IS_USED_LOCK only look at
// a lock, and are allowed.
var mysqlRefusedWords = map[string]string{
	"INTO":                    "it writes a file or sets a variable (INTO OUTFILE, INTO DUMPFILE, INTO @var)",
	"GET_LOCK":                "it takes a named lock",
	"RELEASE_LOCK":            "it releases a named lock",
	"RELEASE_ALL_LOCKS":       "it releases named locks",
	"SERVICE_GET_READ_LOCKS":  "it takes locks",
	"SERVICE_GET_WRITE_LOCKS": "it takes locks",
	"SERVICE_RELEASE_LOCKS":   "it releases locks",
	"LOAD_FILE":               "it reads a file on the database host",
	"BENCHMARK":               "it keeps the server's CPU busy",
	"LOCK":                    "it locks rows (LOCK IN SHARE MODE)",
	"SHARE":                   "it locks rows (FOR SHARE)",
	"UPDATE":                  "it locks rows (FOR UPDATE)",
	// The replication waits, with MySQL's names too.
	"MASTER_POS_WAIT":                   mysqlWaitOutlives,
	"SOURCE_POS_WAIT":                   mysqlWaitOutlives,
	"MASTER_GTID_WAIT":                  mysqlWaitOutlives,
	"WAIT_FOR_EXECUTED_GTID_SET":        mysqlWaitOutlives,
	"WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS": mysqlWaitOutlives,
}

// mysqlWaitOutlives is why a replication wait is refused.
const mysqlWaitOutlives = "it goes on waiting on the server after the check gave up"

// mysqlCleanQuery trims q and its one trailing semicolon (the protocol
// takes one statement without it) and checks that it only reads.
func mysqlCleanQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	if q == "" {
		return mysqlDefaultQuery, nil
	}
	if len(q) > mysqlMaxQuery {
		return "", fmt.Errorf("must be at most %d KiB", mysqlMaxQuery>>10)
	}
	if strings.ContainsRune(q, 0) {
		return "", errors.New("must not contain NUL")
	}
	if !utf8.ValidString(q) {
		return "", errors.New("must be valid UTF-8")
	}
	verb := strings.TrimLeft(q, "( \t\r\n")
	if i := strings.IndexFunc(verb, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		verb = verb[:i]
	}
	if !slices.Contains(mysqlQueryVerbs, strings.ToUpper(verb)) {
		return "", errors.New("must be one read-only statement that starts with SELECT, SHOW, WITH or DO")
	}
	// A backslash escapes a quote in a string unless the server's sql_mode
	// holds NO_BACKSLASH_ESCAPES, which the check cannot know: the query
	// must pass read both ways, so no reading hides a word from the check.
	if err := mysqlScanQuery(q, true); err != nil {
		return "", err
	}
	if err := mysqlScanQuery(q, false); err != nil {
		return "", fmt.Errorf("%w (reading \\ as a plain character, as the server does with sql_mode NO_BACKSLASH_ESCAPES; write a quote in a string as '')", err)
	}
	return q, nil
}

// mysqlScanQuery walks q as the server's lexer does, closely enough to
// find what a health query must not hold outside string literals: a
// refused word, a comment (which could hide one, and /*! … */ is run) or
// a second statement. backslashEscapes says whether \ escapes a quote.
func mysqlScanQuery(q string, backslashEscapes bool) error {
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			// A backquoted name, or a double-quoted one under the
			// ANSI_QUOTES sql_mode, can name a function: `GET_LOCK`('l', 0)
			// takes the lock. A single-quoted string is only ever text.
			end, ok := mysqlQuoteEnd(q, i, backslashEscapes && c != '`')
			if !ok {
				return fmt.Errorf("has a %c that is not closed", c)
			}
			if c != '\'' {
				if err := mysqlCheckWord(q[i+1:end-1], false); err != nil {
					return err
				}
			}
			i = end
		case c == '#' || strings.HasPrefix(q[i:], "--") || strings.HasPrefix(q[i:], "/*"):
			return errors.New("must not contain comments (/* */, -- or #): they can hide what the query does")
		case c == ';':
			return errors.New("must be one statement: a ; may only end it")
		case mysqlWordByte(c):
			j := i
			for j < len(q) && mysqlWordByte(q[j]) {
				j++
			}
			if err := mysqlCheckWord(q[i:j], true); err != nil {
				return err
			}
			i = j
		default:
			i++
		}
	}
	return nil
}

// mysqlQuoteEnd returns the index just past the quote that closes the one
// at q[start], and false when none does. A doubled quote stands for
// itself, and so does one after a backslash when backslashEscapes is set.
func mysqlQuoteEnd(q string, start int, backslashEscapes bool) (int, bool) {
	quote := q[start]
	for i := start + 1; i < len(q); i++ {
		switch {
		case q[i] == '\\' && backslashEscapes:
			i++
		case q[i] == quote && i+1 < len(q) && q[i+1] == quote:
			i++
		case q[i] == quote:
			return i + 1, true
		}
	}
	return 0, false
}

// mysqlCheckWord refuses w when it is a refused word. An unquoted word
// that holds a digit is also refused when it ends with one: the server
// reads 1.5INTO and 1e1INTO as a number followed by INTO.
func mysqlCheckWord(w string, unquoted bool) error {
	upper := strings.ToUpper(w)
	if why, ok := mysqlRefusedWords[upper]; ok {
		return fmt.Errorf("must not use %s: %s; a health query only reads", upper, why)
	}
	if !unquoted || strings.IndexFunc(w, unicode.IsDigit) < 0 {
		return nil
	}
	found := "" // the longest: RELEASE_LOCK rather than LOCK
	for word := range mysqlRefusedWords {
		if strings.HasSuffix(upper, word) && len(word) > len(found) {
			found = word
		}
	}
	if found == "" {
		return nil
	}
	return fmt.Errorf("must not use %s (in %s: after a number the server reads it as a word of its own): %s; a health query only reads",
		found, w, mysqlRefusedWords[found])
}

// mysqlWordByte reports whether c belongs to an unquoted word as the check
// reads them: ASCII letters, digits, _ and $. Other bytes, those of
// non-ASCII letters included, split words: that can only find more words
// than the server does, never fewer.
func mysqlWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}
