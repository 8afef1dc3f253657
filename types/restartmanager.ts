// Constants of the Windows SDK's restartmanager.h (10.0.22000), with the SDK's own names.

/** Characters of a session key, without its NUL: sizeof(GUID) * 2. */
export const CCH_RM_SESSION_KEY = 32;
export const CCH_RM_MAX_APP_NAME = 255;
export const CCH_RM_MAX_SVC_NAME = 63;
export const RM_SESSION_KEY_LEN = 16;

// RM_APP_TYPE
export const RmUnknownApp = 0;
export const RmMainWindow = 1;
export const RmOtherWindow = 2;
export const RmService = 3;
export const RmExplorer = 4;
export const RmConsole = 5;
export const RmCritical = 1000;

// RM_REBOOT_REASON
export const RmRebootReasonNone = 0;
