package mailproc

import "strings"

// Channel (kanal) is how a contact reached the desk, one of the channels
// of the service standard. Every case opened from the desk's mailbox is
// ChannelEmail; the others are registered by staff with a #kanal mail.
type Channel string

const (
	ChannelEmail      Channel = "email"
	ChannelTatapMuka  Channel = "tatapmuka"  // at the desk, lobby 2nd floor
	ChannelTelepon    Channel = "telepon"    // telephone
	ChannelWhatsApp   Channel = "whatsapp"   // WhatsApp
	ChannelInstagram  Channel = "instagram"  // social media
	ChannelFacebook   Channel = "facebook"   // social media
	ChannelTwitter    Channel = "twitter"    // social media (X)
	ChannelKotakSaran Channel = "kotaksaran" // the suggestion box
)

// Channels are every channel in the order the report lists them.
var Channels = []Channel{ChannelEmail, ChannelTatapMuka, ChannelTelepon, ChannelWhatsApp,
	ChannelInstagram, ChannelFacebook, ChannelTwitter, ChannelKotakSaran}

// channelAliases are the other words staff write for a channel.
var channelAliases = map[string]Channel{
	"tatap-muka": ChannelTatapMuka, "walkin": ChannelTatapMuka, "walk-in": ChannelTatapMuka,
	"phone": ChannelTelepon, "tel": ChannelTelepon, "wa": ChannelWhatsApp, "ig": ChannelInstagram,
	"fb": ChannelFacebook, "x": ChannelTwitter, "kotak-saran": ChannelKotakSaran, "e-mail": ChannelEmail,
}

// ParseChannel reads a channel name or alias, any case; ok is false for
// anything else.
func ParseChannel(s string) (Channel, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, c := range Channels {
		if string(c) == s {
			return c, true
		}
	}
	c, ok := channelAliases[s]
	return c, ok
}

// OrEmail is c, or ChannelEmail for the empty channel (a case read before
// the channel was stored).
func (c Channel) OrEmail() Channel {
	if c == "" {
		return ChannelEmail
	}
	return c
}

// Label is the channel as the service standard names it, with its key
// (the word staff write after #kanal) in brackets.
func (c Channel) Label() string {
	names := map[Channel]string{ChannelEmail: "Email", ChannelTatapMuka: "Tatap muka", ChannelTelepon: "Telepon",
		ChannelWhatsApp: "WhatsApp", ChannelInstagram: "Instagram", ChannelFacebook: "Facebook",
		ChannelTwitter: "Twitter/X", ChannelKotakSaran: "Kotak saran"}
	if n, ok := names[c]; ok {
		return n + " (" + string(c) + ")"
	}
	return string(c)
}
