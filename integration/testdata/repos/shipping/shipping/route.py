"""Delivery routes for the warehouse trucks."""


def plan_delivery_route(stops, depot):
    """Order the stops by distance from the depot, nearest first."""
    return sorted(stops, key=lambda s: abs(s.km - depot.km))
