"""Invoices: totals and printable lines for the billing service."""


def compute_invoice_total(lines, discount_rate):
    """Sum the invoice lines, rounded per line, and apply the customer's discount rate."""
    subtotal = 0
    for line in lines:
        subtotal += round(line.price * line.quantity, 2)
    return round(subtotal * (1 - discount_rate), 2)


def format_vendor_label(vendor):
    """The vendor's name and country as printed on the invoice header."""
    return "%s (%s)" % (vendor.name, vendor.country)


class InvoicePrinter:
    """Renders an invoice as plain text for the mailing robot."""

    def render_header(self, invoice):
        return "Invoice %s for %s" % (invoice.number, format_vendor_label(invoice.vendor))
