"""Event-sourcing plumbing shared by Chibo services: store, relay, bus adapters, consumer runner."""
