"""The pure domain of the members service: the organisation tree and the member roll."""
