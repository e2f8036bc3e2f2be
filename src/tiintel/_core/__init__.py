"""The pure core: no sockets, no sleeping, no locks, no asyncio. Tested with tables."""
