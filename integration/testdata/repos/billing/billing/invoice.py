"""Invoices: totals and printable lines for the billing service."""


def compute_invoice_total(lines, discount_rate):
    """Sum the invoice lines and apply the customer's discount rate."""
    subtotal = 0
    for line in lines:
        subtotal += line.price * line.quantity
    return subtotal * (1 - discount_rate)


def format_vendor_label(vendor):
    """The vendor's name and country as printed on the invoice header."""
    return "%s (%s)" % (vendor.name, vendor.country)


class InvoicePrinter:
    """Renders an invoice as plain text for the mailing robot."""

    def render_header(self, invoice):
        return "Invoice %s for %s" % (invoice.number, format_vendor_label(invoice.vendor))
