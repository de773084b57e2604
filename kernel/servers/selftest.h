/* selftest.h - the messages init's IPC self-tests exchange with PM (kernel/servers/pm.c).
 * Types lie outside every server protocol range (VM 0xC00-0xCFF, notify 0x1000-). */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#define ST_CYCLE     0x1F00 /* PM: sendrec a ST_PING back to the sender (cycle test) */
#define ST_QUERY     0x1F01 /* PM: reply with the result of its last ST_PING sendrec */
#define ST_PING      0x1F02 /* PM -> the ST_CYCLE sender */
#define ST_NOTIFY_ACK 0x1F03 /* PM -> a notifier: word[0] = status, word[1] = m_source seen */

#endif
