/*
 * banned.h: functions liu code must not call.  Include it last in every .c.
 * Use buf_addf/snprintf, gmtime_r, and liu_strtonum instead.
 */
#ifndef LIU_BANNED_H
#define LIU_BANNED_H

#define BANNED(f) sorry_##f##_is_banned_in_liu

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef atoi
#define atoi(s) BANNED(atoi)

#endif
