// mailchecker ships no types; this is the part of its API Chorus uses.
declare module 'mailchecker' {
  const MailChecker: {
    isValid(email: string): boolean
    blacklist(): Set<string>
  }
  export default MailChecker
}
