/** The engine family of PIM alert refresh operations. */
export const FAMILY = 'roleManagementAlerts';
