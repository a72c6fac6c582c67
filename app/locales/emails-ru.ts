import type { emailsEn } from './emails-en'

// Russian plural forms: #one (1, 21, 101…), #few (2–4, 22–24…), #many (5–20, 25…), #other (fractions).
export const emailsRu: Record<keyof typeof emailsEn, string> & Record<string, string> = {
  // Shared
  'email.common.greeting': 'Здравствуйте, {name}!',
  'email.common.greetingAnonymous': 'Здравствуйте!',
  'email.common.viewPetition': 'Открыть петицию',

  // Layout footer
  'email.layout.sentBy': 'Отправитель: {organisation}',
  'email.layout.footerNote': 'Вы получили это письмо, потому что этот адрес электронной почты был указан при подписании петиции на сайте {site}.',

  // Signature confirmation
  'email.confirm.subject': 'Подтвердите свою подпись под петицией «{title}»',
  'email.confirm.preview': 'Один клик — и ваша подпись будет учтена.',
  'email.confirm.heading': 'Подтвердите свою подпись',
  'email.confirm.intro': 'Кто-то — скорее всего, вы — подписал петицию «{title}», указав этот адрес электронной почты.',
  'email.confirm.action': 'Чтобы подтвердить подпись, нажмите на кнопку ниже.',
  'email.confirm.button': 'Подтвердить мою подпись',
  'email.confirm.copyLink': 'Если кнопка не работает, скопируйте эту ссылку и откройте её в браузере:',
  'email.confirm.notCounted': 'Пока вы не подтвердите подпись, она не будет учтена.',
  'email.confirm.ignore': 'Если вы не подписывали эту петицию, просто не обращайте внимания на это письмо — подпись не будет засчитана.',

  // Already signed
  'email.alreadySigned.subject': 'Вы уже подписали петицию «{title}»',
  'email.alreadySigned.preview': 'Ваша подпись уже учтена, подписывать повторно не нужно.',
  'email.alreadySigned.heading': 'Вы уже подписали эту петицию',
  'email.alreadySigned.intro': 'Только что кто-то попытался ещё раз подписать петицию «{title}», указав этот адрес электронной почты.',
  'email.alreadySigned.counted': 'Ваша подпись уже подтверждена и учтена один раз.',
  'email.alreadySigned.nothingToDo': 'Больше ничего делать не нужно.',
  'email.alreadySigned.share': 'Сейчас лучше всего помочь, рассказав о петиции друзьям:',

  // Thank you
  'email.thanks.subject': 'Спасибо, что подписали петицию «{title}»',
  'email.thanks.preview': 'Ваша подпись подтверждена и учтена.',
  'email.thanks.heading': 'Спасибо за вашу подпись!',
  'email.thanks.confirmed': 'Ваша подпись под петицией «{title}» подтверждена и учтена.',
  'email.thanks.count': 'Петицию уже подписали {count} человека.',
  'email.thanks.count#one': 'Петицию уже подписал {count} человек.',
  'email.thanks.count#few': 'Петицию уже подписали {count} человека.',
  'email.thanks.count#many': 'Петицию уже подписали {count} человек.',
  'email.thanks.count#other': 'Петицию уже подписали {count} человека.',
  'email.thanks.shareIntro': 'Чем больше людей узнает о петиции, тем больше подписей она соберёт. Пожалуйста, поделитесь ею:',
  'email.thanks.donateIntro': 'Если у вас есть возможность, поддержите кампанию пожертвованием — это поможет нам продолжать работу.',
  'email.thanks.donateLink': 'Сделать пожертвование',
}
