package evalset

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
)

// slotPools are the values a seed picks from for each {slot}. A story
// draws each slot once, so its session uses one name throughout.
var slotPools = map[string][]string{
	"svc":          {"billing", "ledger", "checkout", "invoicing", "payments", "accounts", "catalog", "shipping", "notifier", "pricing", "fulfilment", "subscriptions"},
	"proj":         {"storefront", "atlas", "harbor", "meridian", "orchard", "tundra", "beacon", "quartz"},
	"table":        {"orders", "invoices", "line_items", "shipments", "payments", "subscriptions", "refunds", "carts"},
	"domain":       {"acme-shop.io", "northwind.dev", "fabrikam.net", "contoso.app", "globex.co"},
	"host":         {"edge-01.internal", "build-07.ci", "web-prod-3", "gw-eu-2", "bastion-2"},
	"pymod":        {"reconcile", "ingestor", "etl", "reporting", "crawler", "forecast"},
	"pyname":       {"OrderSchema", "LineItem", "CustomerRecord", "PriceRule", "BatchJob"},
	"npmpkg":       {"react-beautiful-dnd", "react-select", "formik", "react-table", "downshift"},
	"pkg":          {"lrucache", "sessions", "ratelimit", "tokens", "registry"},
	"page":         {"dashboard", "settings", "orders", "profile", "analytics"},
	"feat":         {"bulk-export", "sso-login", "refund-flow", "tax-report", "audit-log"},
	"user":         {"app_owner", "svc_admin", "prod_rw", "deploy"},
	"topic":        {"order-events", "payment-updates", "clickstream", "audit-trail"},
	"rsmod":        {"journal", "index", "segment", "arena"},
	"gomod":        {"platform-kit", "authz", "go-common", "telemetry"},
	"file1":        {"internal/api/router.go", "src/app.ts", "pkg/store/store.go", "web/routes.tsx"},
	"bucket":       {"acme-exports", "invoice-pdfs", "user-uploads", "media-assets"},
	"flag":         {"new_checkout_v2", "fast_cart", "one_click_pay", "smart_search"},
	"job":          {"reconciliation", "digest-email", "cleanup", "invoice-run"},
	"mig":          {"add_invoice_due_date", "backfill_user_email", "split_address_columns", "drop_legacy_status"},
	"ip":           {"10.0.4.17", "10.2.0.33", "172.16.8.9", "10.8.1.240"},
	"port":         {"8080", "8443", "9000", "3000", "50051"},
	"fnInvoice":    {"ComputeTotals", "CalculateTax", "ApplyDiscounts", "FinalizeInvoice"},
	"fnRefresh":    {"RefreshToken", "RenewSession", "IssueAccessToken"},
	"fnStream":     {"streamResults", "fanOutEvents", "pumpRows", "forwardUpdates"},
	"fnImport":     {"ImportCustomers", "ParseUpload", "LoadContacts"},
	"fnWebhook":    {"HandleStripeEvent", "StripeWebhook", "VerifyAndDispatch"},
	"fnTransfer":   {"Transfer", "MoveFunds", "PostTransfer"},
	"fnListener":   {"subscribePrices", "attachQuoteListener", "watchRates"},
	"fnHub":        {"writePump", "serveClient", "pumpOutbound"},
	"fnRedact":     {"redactHeader", "scrubHeader", "maskSecret"},
	"fnHandler":    {"handleCreateJob", "createJobHandler", "postJobs"},
	"fnConfigPath": {"configPath", "defaultConfigFile", "resolveConfigPath"},
	"fnExport":     {"ExportCSV", "StreamExport", "BuildExport"},
	"fnEmail":      {"isValidEmail", "validateEmail", "checkEmailFormat"},
}

var slotRE = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9]*)\}`)

// slotFiller fills one session's slots, drawing each name once.
type slotFiller struct {
	r    *rand.Rand
	vals map[string]string
}

func newSlotFiller(r *rand.Rand) *slotFiller {
	return &slotFiller{r: r, vals: map[string]string{}}
}

// fill replaces the known {slot}s of s; other braces are left as they are.
func (f *slotFiller) fill(s string) string {
	return slotRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := f.vals[name]; ok {
			return v
		}
		var v string
		switch name {
		case "n1":
			v = fmt.Sprint(2 + f.r.IntN(8))
		case "n2":
			v = fmt.Sprint(10 + f.r.IntN(90))
		case "n3":
			v = fmt.Sprint(100 + f.r.IntN(900))
		case "hex":
			v = fmt.Sprintf("%08x", f.r.Uint32())
		case "uuid":
			v = uuid4(f.r)
		default:
			pool, ok := slotPools[name]
			if !ok {
				return m
			}
			v = pool[f.r.IntN(len(pool))]
		}
		f.vals[name] = v
		return v
	})
}

// pick chooses one of the " || "-separated alternatives of s.
func pick(r *rand.Rand, s string) string {
	alts := strings.Split(s, " || ")
	return alts[r.IntN(len(alts))]
}

func uuid4(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
