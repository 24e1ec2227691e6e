namespace Attest.Tpm.Ima;

/// <summary>
/// Caps applied before any length from the log is used, so hostile input cannot make the parser
/// allocate or loop without bound. Every cap is far above what the kernel produces.
/// </summary>
public static class ImaLimits
{
    /// <summary>Template names are short ids or <c>|</c>-joined field ids (IMA_TEMPLATE_NUM_FIELDS_MAX 15 × 16-char ids).</summary>
    public const int MaxTemplateNameLength = 255;

    /// <summary>
    /// Default cap for one entry's template data. Kernel entries are a digest and a path, or for
    /// <c>ima-buf</c> a measured buffer (keyring certificates, kexec command line, critical data), all
    /// well under this; a caller with unusual buffer measurements can raise it per parse.
    /// </summary>
    public const int DefaultMaxTemplateDataLength = 64 * 1024;

    /// <summary>The <c>ima</c> template's name field is at most IMA_EVENT_NAME_LEN_MAX (255) bytes (ima_template_lib.c).</summary>
    public const int MaxImaTemplateNameFieldLength = 255;

    /// <summary>
    /// IMA's policy accepts pcr= below 64 (the measured_pcrs bitmap in the inode cache); anything higher
    /// cannot come from a kernel and is treated as malformed, which also keeps replay state a fixed array.
    /// </summary>
    public const uint MaxPcrIndex = 63;
}
