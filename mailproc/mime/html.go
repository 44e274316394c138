package mime

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	htmlcharset "golang.org/x/net/html/charset"
)

// htmlMetaCharset finds the charset an HTML part declares in a <meta> tag,
// for HTML-only mail whose MIME header has none.
func htmlMetaCharset(b []byte) (string, bool) {
	_, name, _ := htmlcharset.DetermineEncoding(b, "")
	// DetermineEncoding falls back to utf-8 (if valid) or windows-1252 when
	// nothing is declared; those guesses are left to toUTF8's own rule.
	if name == "" || name == "utf-8" || name == "windows-1252" {
		return "", false
	}
	return name, true
}

// htmlToText turns an HTML body (valid UTF-8) into the plain text staff
// read, the way github.com/jaytaylor/html2text does with tables not drawn:
// blocks become paragraphs, list items "* ", quotes "> ", links stay inline
// as "text ( url )" so a citizen's link is not lost, and scripts, styles and
// Outlook's <xml> islands are dropped.
//
// It is written on x/net/html's tokenizer rather than taken from html2text
// because html2text does not build against the tablewriter v1 this module
// requires, and because a tokenizer needs no tree: memory and time are
// linear in the input, and hostile nesting costs nothing (html2text copies
// text once per nesting level of <b>, and x/net/html's parser refuses
// nesting deeper than 512).
func htmlToText(b []byte) string {
	return convertHTML(b, false)
}

// convertHTML is htmlToText; with stopAtQuote it ends at the first quote
// container a mail client wrote (see isQuoteContainer).
func convertHTML(b []byte, stopAtQuote bool) string {
	c := htmlConverter{}
	z := html.NewTokenizer(bytes.NewReader(b))
	z.SetMaxBuf(0)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return c.finish()
		case html.TextToken:
			if c.skip == 0 {
				c.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			var href, alt, class, id string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "href":
					href = string(v)
				case "alt":
					alt = string(v)
				case "class":
					class = string(v)
				case "id":
					id = string(v)
				}
			}
			if stopAtQuote && c.skip == 0 && isQuoteContainer(string(name), id, class) {
				return c.finish()
			}
			c.start(string(name), href, alt, class, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			c.end(string(name))
		}
	}
}

type htmlConverter struct {
	out      strings.Builder
	skip     int  // inside script, style, title, xml
	pre      int  // inside pre: white space kept
	quote    int  // blockquote depth
	space    bool // a space is pending before the next word
	lineOpen bool // the current line has text
	inMso    bool // inside one of Word's <p class=MsoNormal>
	msoStart int
	links    []htmlLink
}

const maxOpenLinks = 16

type htmlLink struct {
	href string
	// text is a byte slice, not a strings.Builder: links live in a slice
	// that append may move, and a moved Builder panics on its next write.
	text []byte
}

func (c *htmlConverter) start(name, href, alt, class string, selfClosing bool) {
	if name == "p" && strings.Contains(class, "MsoNormal") {
		// Word writes every line as a paragraph with no margin: a line,
		// and an empty one is a blank line.
		c.newline(1)
		c.msoStart, c.inMso = c.out.Len(), true
		return
	}
	switch name {
	case "script", "style", "title", "xml", "head":
		if !selfClosing && name != "head" {
			c.skip++
		}
	case "br":
		c.newline(1)
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "hr":
		c.newline(2)
		if name == "pre" && !selfClosing {
			c.pre++
		}
	case "blockquote":
		c.newline(2)
		if !selfClosing {
			c.quote++
		}
	case "div", "tr", "section", "article", "header", "footer", "address", "center", "form", "fieldset", "figure", "dt", "dd", "caption":
		c.newline(1)
	case "li":
		c.newline(1)
		c.write("* ")
	case "td", "th":
		c.space = c.lineOpen
	case "img":
		if alt != "" && len(c.links) > 0 {
			c.text(alt)
		}
	case "a":
		// The stack is bounded: hostile nesting must not make every word
		// cost once per open link.
		if !selfClosing && len(c.links) < maxOpenLinks {
			c.links = append(c.links, htmlLink{href: strings.TrimSpace(href)})
		}
	}
}

func (c *htmlConverter) end(name string) {
	if name == "p" && c.inMso {
		c.inMso = false
		if c.out.Len() == c.msoStart {
			c.newline(2)
		} else {
			c.newline(1)
		}
		return
	}
	switch name {
	case "script", "style", "title", "xml":
		if c.skip > 0 {
			c.skip--
		}
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl":
		c.newline(2)
	case "pre":
		if c.pre > 0 {
			c.pre--
		}
		c.newline(2)
	case "blockquote":
		c.newline(2)
		if c.quote > 0 {
			c.quote--
		}
		c.newline(2)
	case "div", "tr", "li", "section", "article", "header", "footer", "address", "center", "form", "fieldset", "figure", "dt", "dd", "caption":
		c.newline(1)
	case "a":
		if n := len(c.links); n > 0 {
			l := c.links[n-1]
			c.links = c.links[:n-1]
			href := strings.TrimPrefix(l.href, "mailto:")
			if href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "javascript:") &&
				href != strings.TrimSpace(string(l.text)) {
				c.space = c.lineOpen
				c.write("( " + href + " )")
			}
		}
	}
}

// text writes a text node: white space collapsed outside <pre>.
func (c *htmlConverter) text(s string) {
	if c.pre > 0 {
		for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if i > 0 {
				c.newline(1)
			}
			if line != "" {
				c.write(line)
			}
		}
		return
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			c.space = c.lineOpen
			s = s[size:]
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		c.write(s[:end])
		s = s[end:]
	}
}

func (c *htmlConverter) write(s string) {
	if !c.lineOpen {
		for i := 0; i < c.quote; i++ {
			c.out.WriteString("> ")
		}
		c.lineOpen = true
	} else if c.space {
		c.out.WriteByte(' ')
	}
	c.space = false
	c.out.WriteString(s)
	for i := range c.links {
		// Only compared with the href: no need to keep more than that.
		if l := &c.links[i]; len(l.text) <= len(l.href) {
			l.text = append(l.text, s...)
		}
	}
}

// newline ends the current line and makes sure n line breaks separate it
// from what comes next (2: a paragraph break).
func (c *htmlConverter) newline(n int) {
	c.space = false
	if c.out.Len() == 0 {
		return
	}
	s := c.out.String()
	have := len(s) - len(strings.TrimRight(s, "\n"))
	if c.lineOpen {
		have = 0
	}
	for ; have < n; have++ {
		c.out.WriteByte('\n')
	}
	c.lineOpen = false
}

func (c *htmlConverter) finish() string {
	lines := strings.Split(c.out.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
