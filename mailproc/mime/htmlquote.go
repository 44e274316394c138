package mime

import "strings"

// quoteIDs and quoteClasses name the elements in which mail clients put the
// mail being answered, with everything below it: Gmail's div.gmail_quote,
// Outlook's #divRplyFwdMsg and #appendonsend, Yahoo's .yahoo_quoted,
// Zimbra's hr#zwchr, Thunderbird's forward container. A blockquote is not
// among them: it is quoted ("> ") where it stands, so that text typed
// between quotes stays.
var (
	quoteIDs     = []string{"divrplyfwdmsg", "appendonsend", "zwchr"}
	quoteClasses = []string{"gmail_quote", "yahoo_quoted", "moz-forward-container", "zmail_extra"}
)

// isQuoteContainer reports whether an element starts a client's quote.
func isQuoteContainer(name, id, class string) bool {
	if name != "div" && name != "hr" && name != "blockquote" && name != "span" {
		return false
	}
	id = strings.ToLower(id)
	for _, q := range quoteIDs {
		if id == q {
			return true
		}
	}
	for _, f := range strings.Fields(strings.ToLower(class)) {
		for _, q := range quoteClasses {
			if f == q {
				return true
			}
		}
	}
	return false
}

// htmlReplyText is the text of an HTML body above its first quote container:
// what the writer typed, by the client's own account.
func htmlReplyText(b []byte) string {
	return cleanText(convertHTML(b, true))
}
