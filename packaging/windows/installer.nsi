; The scim-token installer for Windows, built by `scripts/package --windows` with Debian's makensis.
; Per-user (no administrator rights): %LOCALAPPDATA%\Programs\scim-token, a Start-menu entry, an
; uninstaller registered under Apps. The app needs Microsoft Edge WebView2 (preinstalled on
; Windows 10 and 11); the installer checks and says where to get it.
Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef BIN_DIR
  !error "pass -DBIN_DIR=<folder with scim-token-desktop.exe and scim-token.exe>"
!endif
!ifndef OUT_FILE
  !error "pass -DOUT_FILE=<installer .exe>"
!endif

Name "scim-token ${VERSION}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\scim-token"
InstallDirRegKey HKCU "Software\scim-token" "InstallDir"
SetCompressor /SOLID lzma

; With -DSIGN=<command> (scripts/package --windows --sign), the installer and the uninstaller it
; writes are Authenticode-signed and verified as makensis finishes each; a failure fails the build.
!ifdef SIGN
  !finalize '"${SIGN}" sign "%1"' = 0
  !finalize '"${SIGN}" verify "%1"' = 0
  !uninstfinalize '"${SIGN}" sign "%1"' = 0
  !uninstfinalize '"${SIGN}" verify "%1"' = 0
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\scim-token"
; Where the WebView2 runtime registers itself (per machine, then per user).
!define WEBVIEW2_KEY "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_USER_KEY "Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\scim-token-desktop.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start scim-token"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; A missing version, or 0.0.0.0 (left behind when the runtime was removed), means no WebView2.
Function .onInit
  ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  StrCmp $0 "" +2 0
  StrCmp $0 "0.0.0.0" 0 done
  ReadRegStr $0 HKCU "${WEBVIEW2_USER_KEY}" "pv"
  StrCmp $0 "" +2 0
  StrCmp $0 "0.0.0.0" 0 done
  MessageBox MB_OKCANCEL|MB_ICONEXCLAMATION "scim-token's window needs the Microsoft Edge WebView2 Runtime, which this computer does not seem to have. Get the Evergreen Bootstrapper from https://developer.microsoft.com/microsoft-edge/webview2/ and install it (before or after scim-token). The command-line tool scim-token.exe works without it.$\r$\n$\r$\nContinue installing?" /SD IDOK IDOK done
  Abort
done:
FunctionEnd

Section "scim-token" Main
  SetOutPath "$INSTDIR"
  File "${BIN_DIR}\scim-token-desktop.exe"
  File "${BIN_DIR}\scim-token.exe"
  ; The GNU build loads WebView2 through Microsoft's loader DLL, which must sit beside the app.
  File "${BIN_DIR}\WebView2Loader.dll"
  File "${README}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\scim-token.lnk" "$INSTDIR\scim-token-desktop.exe"
  WriteRegStr HKCU "Software\scim-token" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "scim-token"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "scim-token developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\scim-token-desktop.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; Tokens stay in the Credential Manager and records in %APPDATA%\scim-token: removing the program
; does not remove what Azure provisioning still runs on. `scim-token forget` does.
Section "Uninstall"
  ; The background watch's task (`scim-token watch on`) would run a program that is gone: remove
  ; it, if there is one (schtasks by its full path; nsExec shows no console window).
  nsExec::Exec '"$SYSDIR\schtasks.exe" /Delete /F /TN "scim-token check"'
  Pop $0
  Delete "$INSTDIR\scim-token-desktop.exe"
  Delete "$INSTDIR\scim-token.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\scim-token.lnk"
  ; Start at login, if it was turned on (the app's Run value).
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "scim-token"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run" "scim-token"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\scim-token"
SectionEnd
