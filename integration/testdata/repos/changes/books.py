"""The books: ledger reconciliation moved here from billing/ledger.py."""


def reconcile_ledger_entries(statement, bookings):
    """Match statement rows to bookings by amount and reference number."""
    unmatched = []
    for row in statement:
        if not any(b.reference == row.reference and b.amount == row.amount for b in bookings):
            unmatched.append(row)
    return unmatched
